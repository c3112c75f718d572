export { ModelConfigDto } from '@lab/contracts/dto';
